# dep_value() returning 42, in a file with no .note.GNU-stack section: the linker then
# marks the library as asking for an executable stack (PT_GNU_STACK RWE), as hand-written
# assembly in e.g. OpenBLAS has done. x86-64 only.
	.text
	.globl	dep_value
	.type	dep_value, @function
dep_value:
	movl	$42, %eax
	ret
	.size	dep_value, .-dep_value
