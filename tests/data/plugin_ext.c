/* An extension module that loads its plugin library by name at run time
   (dlopen, as plugin hosts do), so no DT_NEEDED names it: what repair's
   --include grafts. value() returns the plugin's plugin_value(). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>

static PyObject *value(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    void *plugin = dlopen("libplugin.so.1", RTLD_NOW);
    if (plugin == NULL) {
        PyErr_SetString(PyExc_ImportError, dlerror());
        return NULL;
    }
    int (*plugin_value)(void) = (int (*)(void))dlsym(plugin, "plugin_value");
    if (plugin_value == NULL) {
        PyErr_SetString(PyExc_ImportError, dlerror());
        return NULL;
    }
    return PyLong_FromLong(plugin_value());
}

static PyMethodDef methods[] = {
    {"value", value, METH_NOARGS, "The plugin's value."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_plugin", NULL, -1, methods};

PyMODINIT_FUNC PyInit__plugin(void) { return PyModule_Create(&module); }
