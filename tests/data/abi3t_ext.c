/* An extension module _abit as CPython 3.15 builds one for abi3t (PEP 793, PEP 803): it exports
 * PyModExport__abit, not PyInit__abit, and calls Py_SIZE, a function of the stable ABI since 3.15.
 * What it needs is declared here, the host's Python headers being older; the tests read it, never
 * load it. */
typedef struct _object PyObject;
typedef long Py_ssize_t;
Py_ssize_t Py_SIZE(PyObject *object);
PyObject *PyLong_FromLong(long value);

void *PyModExport__abit(void) { return PyLong_FromLong((long)Py_SIZE((PyObject *)0)); }
