#!/usr/bin/env bash
# Tokenising at scale: N synthetic sentence pairs (default 1,000,000) through the quickstart tokenizer into the
# memory-mapped tokenised-data cache, then a reload from the cache; prints time, rows/s and peak RSS (VmHWM).
# The heap is capped at 256 MB on purpose: the rows never live in it. Usage: bench/tokenize.sh [ROWS] [FOLDER, default /tmp]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
java -Xmx256m -Dai.djl.offline=true -Dlogback.configurationFile=bench/logback-quiet.xml \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  dev.finetune.trainer.data.TokenizeBenchmark "$@"
