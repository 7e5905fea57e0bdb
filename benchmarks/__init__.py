"""Speed comparisons of lib against hand-written implementations and peers (``make bench``;
``benchmarks/README.md``). Installed with lib, so that the Performance chapter and the tests
import its modules by name."""
