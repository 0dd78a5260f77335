#!/usr/bin/env bash
# Training-step speed of a bert-base-sized model against this machine's float32 matmul peak.
# Usage: bench/model-step.sh [BATCH [TOKENS [STEPS [CONFIG_JSON]]]]   (defaults 8 64 6, bert-base)
# Threads: BENCH_JAVA_OPTS="-Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Xmx8g -Dai.djl.offline=true ${BENCH_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    dev.finetune.trainer.model.ModelStepBenchmark "$@"
