#!/usr/bin/env bash
# Speed of checkpoints of a bert-base-sized model (110M parameters): two saves (weights, AdamW moments, fsync,
# rename, with saveTotalLimit off) and one resume. Usage: bench/checkpoint.sh [PARENT_FOLDER, default /tmp]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
java -Xmx2g -Dai.djl.offline=true \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  dev.finetune.trainer.checkpoint.CheckpointBenchmark "$@"
