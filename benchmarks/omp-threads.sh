#!/usr/bin/env bash
# How many OpenMP threads should a JVM that trains with dpsgd4j give ND4J? Runs StepBenchmark
# (one private DP-SGD step at batch 256, mlp and cnn) with OMP_NUM_THREADS=1, =2 and unset
# (ND4J's default: one thread per core), alternating the settings over two rounds so that load
# from other processes hits all of them alike. Raw JMH JSON goes to benchmarks/results/.
# Usage: benchmarks/omp-threads.sh [date-tag]   (build the jar first, see benchmarks/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-$(date +%Y-%m-%d)}"
jar=benchmarks/target/benchmarks.jar
for round in 1 2; do
  for threads in 1 2 unset; do
    out="benchmarks/results/omp-${tag}-threads-${threads}-round-${round}.json"
    args=(StepBenchmark -p mode=private -p model=mlp,cnn -f 1 -wi 2 -i 3 -w 1s -r 1s -rf json -rff "$out")
    if [ "$threads" = unset ]; then
      env -u OMP_NUM_THREADS java -jar "$jar" "${args[@]}" > /dev/null
    else
      OMP_NUM_THREADS="$threads" java -jar "$jar" "${args[@]}" > /dev/null
    fi
    echo "wrote $out"
  done
done
