#!/usr/bin/env bash
# The Hugging Face Trainer tutorial's MRPC run on all-MiniLM-L6-v2 (from ../shared), through the same
# TrainingJob as `run`; prints samples/s, the fraction of the matmul peak, eval accuracy/F1 per epoch, wall time.
#   bench/mrpc-minilm.sh [SHARED_DIR [EPOCHS]]      (defaults: ../shared 3)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
CP="target/classes:$(cat target/bench-classpath.txt)"
mkdir -p target/bench-classes
javac -d target/bench-classes -cp "$CP" bench/MrpcBenchmark.java
exec java -Xmx8g -Dai.djl.offline=true -cp "target/bench-classes:$CP" dev.finetune.bench.MrpcBenchmark "${1:-../shared}" "${2:-3}"
