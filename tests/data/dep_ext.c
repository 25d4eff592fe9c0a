/* An extension module whose value comes from a function of another library
   (DEP_FUNCTION, default dep_value): what the repair tests graft. The module
   name is MODULE (default _dep). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef MODULE
#define MODULE _dep
#endif
#ifndef DEP_FUNCTION
#define DEP_FUNCTION dep_value
#endif
#define TEXT(x) #x
#define NAME_OF(x) TEXT(x)
#define JOIN(a, b) a##b
#define INIT_OF(name) JOIN(PyInit_, name)

int DEP_FUNCTION(void);

static PyObject *value(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromLong(DEP_FUNCTION());
}

static PyMethodDef methods[] = {
    {"value", value, METH_NOARGS, "The library function's value."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, NAME_OF(MODULE), NULL, -1, methods};

PyMODINIT_FUNC INIT_OF(MODULE)(void) { return PyModule_Create(&module); }
