#!/usr/bin/env bash
# This project's training step against PyTorch eager's on the same machine: bench/model-step.sh's step and
# bench/pytorch-eager-step.py's (Debian's python3-torch with libopenblas0-pthread), alternated PAIRS times so other
# work on a shared machine weighs on both alike; prints each pair and the median ratio (> 1: this project is slower).
# Usage: bench/eager-vs-model-step.sh [PAIRS [CONFIG_JSON]]   (defaults 3, bert-base); batch 8 x 64, 4 steps each
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}
config=${2:-}
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
ratios=()
for i in $(seq "$pairs"); do
  ours=$(java -Xmx8g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${BENCH_JAVA_OPTS:-} -cp "$cp" \
      dev.finetune.trainer.model.ModelStepBenchmark 8 64 4 $config 2>/dev/null | sed -n 's/^best whole step: \([0-9.]*\) s.*/\1/p')
  eager=$(/usr/bin/python3 bench/pytorch-eager-step.py 8 64 4 $config 2>/dev/null | sed -n 's/^best whole step: \([0-9.]*\) s.*/\1/p')
  ratio=$(python3 -c "print(f'{$ours / $eager:.2f}')")
  echo "pair $i: this project $ours s, PyTorch eager $eager s (best step of 4): ratio $ratio"
  ratios+=("$ratio")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print "median ratio (this project / PyTorch eager): " a[int((NR+1)/2)]}'
