/* A tiny CPython extension the tests and the demo build into wheels. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *spam_add(PyObject *self, PyObject *args) {
    long a, b;
    (void)self;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}

static PyMethodDef spam_methods[] = {
    {"add", spam_add, METH_VARARGS, "Add two integers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef spam_module = {PyModuleDef_HEAD_INIT, "_spam", NULL, -1, spam_methods};

PyMODINIT_FUNC PyInit__spam(void) { return PyModule_Create(&spam_module); }
