#include "vwt.h"
int main (int argc, char **argv) { vwt_init (&argc, &argv); return g_test_run (); }
