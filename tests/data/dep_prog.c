/* A program printing dep_value() of the library it links: a wheel script. */
#include <stdio.h>

int dep_value(void);

int main(void) {
    printf("%d\n", dep_value());
    return 0;
}
