/* An extension module _abi for the abi3 tests: value() returns 42. Built with
 * -DPy_LIMITED_API=0x03080000 it uses only the stable ABI of 3.8; with USE_PRIVATE (and no
 * Py_LIMITED_API) it also calls a private function outside the stable ABI; with USE_311 (and
 * Py_LIMITED_API=0x030B0000) it calls PyType_GetName, added to the stable ABI in 3.11. */
#include <Python.h>

static PyObject *value(PyObject *self, PyObject *unused) {
    (void)unused;
#ifdef USE_PRIVATE
    (void)_PyObject_GetDictPtr(self);
#endif
#ifdef USE_311
    PyObject *name = PyType_GetName(Py_TYPE(self));
    Py_XDECREF(name);
#endif
    (void)self;
    return PyLong_FromLong(42);
}

static PyMethodDef methods[] = {{"value", value, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_abi", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__abi(void) { return PyModule_Create(&module); }
