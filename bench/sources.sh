#!/usr/bin/env bash
# Speed of model/dataset sources: download through a local fake Hub (loopback) with verification, and
# Parquet -> JSONL conversion of GLUE MRPC train. Usage: bench/sources.sh [MEGABYTES of model.safetensors, default 440]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
java -Xmx3g -Dfinetune.shared="${FINETUNE_SHARED:-../shared}" \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  dev.finetune.trainer.source.SourcesBenchmark "$@"
