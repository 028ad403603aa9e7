/* The neurona command-line tool (subcommands are added as they land). */
#include <stdio.h>
#include "neurona/neurona.h"

int main(int argc, char **argv) {
    (void)argc; (void)argv;
    printf("neurona %s\n", nr_version());
    return 0;
}
