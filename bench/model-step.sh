#!/usr/bin/env bash
# Training-step speed of a bert-base-sized model against this machine's float32 matmul peak; or, given any family's
# config.json (model_type mpnet, deberta-v2, ...), that model's step beside a BERT of the same size (hidden, layers,
# heads, intermediate, vocab, max positions), the two alternated in one run, and the ratio of their median steps.
# Usage: bench/model-step.sh [BATCH [TOKENS [STEPS [CONFIG_JSON]]]]   (defaults 8 64 6, bert-base)
# Threads: BENCH_JAVA_OPTS="-Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
main=dev.finetune.trainer.model.ModelStepBenchmark
if [ $# -ge 4 ] && ! python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])).get("model_type", "bert") != "bert")' "$4"; then
  main=dev.finetune.trainer.model.FamilyStepBenchmark
fi
exec java -Xmx8g -Dai.djl.offline=true ${BENCH_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    "$main" "$@"
