#!/usr/bin/env bash
# Scale benchmark of the operator (not part of `mvn verify`): N FineTuneJobs (default 1000) created at
# once on fabric8's mock API server; prints the time until each has its Job and status, reconciles/s and heap.
#   bench/operator-scale.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
CP="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
mkdir -p target/bench-classes
javac -d target/bench-classes -cp "$CP" bench/OperatorScaleBenchmark.java
# Quiet logs: the benchmark prints its own figures.
exec java -Xmx2g -Dlogback.configurationFile=bench/logback-quiet.xml \
  -cp "target/bench-classes:$CP" dev.finetune.operator.OperatorScaleBenchmark "${1:-1000}"
