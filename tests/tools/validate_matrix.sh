#!/usr/bin/env bash
# nbval on every chapter notebook under the configurations of the validation matrix.
#
# Usage: tests/tools/validate_matrix.sh [CONFIG ...]   (default: all of them, in this order)
#   default      the environment as it is
#   one-thread   OPENBLAS_NUM_THREADS=1 and NUMBA_NUM_THREADS=1 (one BLAS and one compiled thread)
#   blas-auto    OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: OpenBLAS picks its kernel itself
#   blas-sse3    OPENBLAS_CORETYPE=Prescott: OpenBLAS's SSE3 kernels, whatever the CPU
#   generic      NUMBA_CPU_NAME=generic: the compiled kernels rebuilt for a generic x86-64 target
#                (baseline SSE2, other SIMD widths, so fastmath sums in another order), in an
#                empty NUMBA_CACHE_DIR of their own so the host target's cache is never mixed in
# Every configuration runs even if an earlier one fails; the wall time and the result of each
# are printed at the end, and the exit status is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-.venv/bin/python}
NOTEBOOKS=(book/*.ipynb)
CONFIGS=("$@")
[ ${#CONFIGS[@]} -eq 0 ] && CONFIGS=(default one-thread blas-auto blas-sse3 generic)

run_nbval() {
    "$@" "$PYTHON" -m pytest -q -p no:cacheprovider "${NOTEBOOKS[@]}" --nbval --nbval-current-env \
        --nbval-sanitize-with tests/nbval_sanitize.cfg
}

summary=()
failed=0
for config in "${CONFIGS[@]}"; do
    echo "=== validation matrix: $config"
    start=$(date +%s)
    case $config in
        default) run_nbval env ;;
        one-thread) run_nbval env OPENBLAS_NUM_THREADS=1 NUMBA_NUM_THREADS=1 ;;
        blas-auto) run_nbval env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ;;
        blas-sse3) run_nbval env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Prescott ;;
        generic)
            cache=$(mktemp -d)
            run_nbval env NUMBA_CPU_NAME=generic NUMBA_CACHE_DIR="$cache"
            ;;
        *) echo "unknown configuration '$config'"; false ;;
    esac
    status=$?
    [ "$config" = generic ] && rm -rf "$cache"
    result=passed
    [ $status -ne 0 ] && result=FAILED && failed=1
    summary+=("$(printf '%-11s %-7s %4d s' "$config" "$result" $(( $(date +%s) - start )))")
done
echo "=== validation matrix summary"
printf '%s\n' "${summary[@]}"
exit $failed
