#!/usr/bin/env bash
# Float32 GEMM GFLOP/s of this machine: an N x N matmul through the libtorch DJL loads (MKL inside DJL's stock build)
# alternated with OpenBLAS's cblas_sgemm called directly, ROUNDS times; prints the median ratio.
# Usage: bench/gemm.sh [N [ROUNDS]]   (defaults 2048 5)
# Another libtorch (e.g. bytedeco's OpenBLAS build of 2.7.1): PYTORCH_LIBRARY_PATH=DIR PYTORCH_FLAVOR=cpu bench/gemm.sh
# OPENBLAS_VERBOSE=2 makes OpenBLAS print the kernel it picked ("Core: SkylakeX", "Haswell" = its AVX2 kernel).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Xmx4g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${BENCH_JAVA_OPTS:-} \
    -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" dev.finetune.trainer.model.MatmulPeak "$@"
