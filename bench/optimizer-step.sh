#!/usr/bin/env bash
# Times the optimiser side of a bert-base training step (global grad norm + AdamW over ~110M parameters).
# Usage: bench/optimizer-step.sh [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
java -Dai.djl.offline=true -Xmx2g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    dev.finetune.trainer.train.AdamWBenchmark "${1:-5}"
