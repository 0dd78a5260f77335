#!/usr/bin/env bash
# GPU smoke test: builds the jar, trains the quickstart (and the multi-label, regression and NER examples) on
# the GPU, and times the Trainer's own optimiser steps on a bert-base-sized model in float32 and with fp16 (samples/s, loss scale and skipped steps under fp16, device-to-host syncs per step, GPU
# memory from nvidia-smi). On a machine without a GPU it says "no GPU: skipped" for the GPU parts and runs
# the same steps briefly on the CPU, so the script itself stays tested.
#   bench/gpu-smoke.sh [BATCH [TOKENS [STEPS]]]      (defaults 32 128 30 on a GPU; 2 32 4 on the CPU)
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    GPU=1
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
    GPU=0
    echo "no GPU: skipped (GPU parts); running the CPU parts with small shapes"
fi

mvn -B -q -o package -DskipTests
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"

gpu_memory() {
    if [ "$GPU" = 1 ]; then
        nvidia-smi --query-gpu=memory.used,memory.total --format=csv,noheader | sed "s/^/GPU memory after $1: /"
    fi
}

# 1. The quickstart through the jar on the GPU (--device gpu fails at once where libtorch cannot see one;
#    the trainer logs the device, the engine flavour and the CUDA version at start).
OUT=$(mktemp -d)
if [ "$GPU" = 1 ]; then
    java -jar target/finetune-operator.jar run examples/quickstart.yaml --output "$OUT/quickstart" --device gpu --no-progress-bar 2>&1 \
        | grep -E "[Dd]evice|train_samples_per_second|eval_loss" | tail -4
    gpu_memory quickstart
    # 1b. Resume on the GPU: drop the newest checkpoint and final/, rerun. The weights and moments are read on the
    #     CPU and copied into the CUDA parameters in place (CheckpointReader, AdamW.load); no libtorch warning.
    newest=$(ls -d "$OUT/quickstart"/checkpoint-* | sort -t- -k2 -n | tail -1)
    rm -rf "$newest" "$OUT/quickstart/final"
    java -jar target/finetune-operator.jar run examples/quickstart.yaml --output "$OUT/quickstart" --device gpu --no-progress-bar \
        > "$OUT/resume.log" 2>&1
    grep -E "Resuming training from checkpoint|eval_loss" "$OUT/resume.log" | tail -2
    if grep -q AutoNonVariableTypeMode "$OUT/resume.log"; then echo "resume on the GPU: FAILED (libtorch warning)"; exit 1; fi
    test -f "$OUT/quickstart/final/model.safetensors" && echo "resume on the GPU: final/ written"
    # 1c. The other tasks' examples: float targets (multi-label, regression) and (B, T) token labels with -100 (NER)
    #     go to the device and their losses gather there; each must finish with its eval metrics.
    for task in multilabel regression ner; do
        java -jar target/finetune-operator.jar run "examples/$task.yaml" --output "$OUT/$task" --device gpu --no-progress-bar \
            > "$OUT/$task.log" 2>&1 || { echo "$task on the GPU: FAILED"; tail -5 "$OUT/$task.log"; exit 1; }
        grep -E "'eval_loss'" "$OUT/$task.log" | tail -1 | sed "s/^/$task on the GPU: /"
    done
else
    echo "quickstart on the GPU: no GPU: skipped"
fi
rm -rf "$OUT"

# 2. bert-base-sized Trainer steps, float32 then float16 (the last step is a logging step; syncs are counted
#    by DeviceSyncCounter over the others).
if [ "$GPU" = 1 ]; then
    BATCH=${1:-32}; TOKENS=${2:-128}; STEPS=${3:-30}; CONFIG=()
else
    # A 2-layer model of bert-base's width keeps the CPU run short; float16 on the CPU is slow (no fast kernels).
    BATCH=${1:-2}; TOKENS=${2:-32}; STEPS=${3:-4}
    CONFIG_FILE=$(mktemp --suffix=.json)
    echo '{"vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 2, "num_attention_heads": 12,
           "intermediate_size": 3072, "max_position_embeddings": 512}' > "$CONFIG_FILE"
    CONFIG=("$CONFIG_FILE")
fi
for PRECISION in fp32 fp16; do
    java -Xmx8g -Dai.djl.offline=true -cp "$CP" dev.finetune.trainer.train.TrainerStepBenchmark \
        "$BATCH" "$TOKENS" "$STEPS" "$PRECISION" "${CONFIG[@]}" 2>&1 | grep -vE "DEBUG|INFO|Warning"
    gpu_memory "$PRECISION steps"
done
if [ "$GPU" = 0 ]; then
    echo "bert-base steps on the GPU: no GPU: skipped (the figures above are the CPU's, with a 2-layer model)"
fi
