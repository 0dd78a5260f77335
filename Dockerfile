# syntax=docker/dockerfile:1
# Two images from one jar:
#   docker build --target operator -t finetune-operator:0.1.0 .
#   docker build --target trainer  -t finetune-trainer:0.1.0-cu128 --build-arg FLAVOR=cu128 .
#   docker build --target trainer  -t finetune-trainer:0.1.0-cpu .                (FLAVOR=cpu, the default)
#
# The shaded jar carries DJL's CPU libtorch (about 450 MB unpacked) so that `run` works offline on a
# laptop. In the images the natives are stripped from the jar instead: the operator never loads them,
# and the trainer gets the libraries of its FLAVOR laid out in DJL's engine cache (see
# docker/install-djl-natives.sh), read-only and found without any download at run time.

ARG FLAVOR=cpu

# ---- build: the shaded jar, its slim copy, and the trainer's natives ----
FROM maven:3.9-eclipse-temurin-17 AS build
RUN apt-get update && apt-get install -y --no-install-recommends zip unzip curl && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml .
COPY src ./src
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests
# The slim jar: every native library removed (libtorch, the JNI bridges, tokenizers), their properties
# files kept where DJL needs them to find the libraries in its cache.
RUN cp target/finetune-operator.jar /finetune-operator.jar \
 && zip -q -d /finetune-operator.jar 'pytorch/*' 'jnilib/*' 'native/lib/pytorch.properties' 'native/lib/*/*'
COPY docker/install-djl-natives.sh /usr/local/bin/install-djl-natives.sh
ARG FLAVOR
RUN install-djl-natives.sh "$FLAVOR" target/finetune-operator.jar /opt/djl/engines

# ---- operator: a slim JRE, the slim jar, a non-root user ----
FROM eclipse-temurin:17-jre AS operator
RUN groupadd --system --gid 10001 finetune && useradd --system --uid 10001 --gid finetune --no-create-home finetune
COPY --from=build /finetune-operator.jar /app/finetune-operator.jar
USER 10001:10001
EXPOSE 8081
ENTRYPOINT ["java", "-jar", "/app/finetune-operator.jar"]
CMD ["operator"]

# ---- trainer bases: the CUDA image sets the variables the NVIDIA container runtime needs to mount
# the driver; libtorch brings its own CUDA libraries. ----
FROM ubuntu:24.04 AS trainer-base-cpu
FROM nvidia/cuda:12.8.1-base-ubuntu24.04 AS trainer-base-cu128

# ---- trainer: the same jar, a JRE, and the PyTorch natives of FLAVOR ----
FROM trainer-base-${FLAVOR} AS trainer
ARG FLAVOR
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=$JAVA_HOME/bin:$PATH
COPY --from=eclipse-temurin:17-jre /opt/java/openjdk /opt/java/openjdk
RUN groupadd --system --gid 10001 finetune && useradd --system --uid 10001 --gid finetune --no-create-home finetune
COPY --from=build /finetune-operator.jar /app/finetune-operator.jar
COPY --from=build /opt/djl/engines /opt/djl/engines
# DJL reads its natives from the image (read-only) and keeps anything else it caches on the job's volume.
# RUST_LIBRARY_PATH: the tokenizers library by its file, or DJL looks under a CUDA-architecture folder on a GPU node.
ENV ENGINE_CACHE_DIR=/opt/djl/engines \
    PYTORCH_FLAVOR=${FLAVOR} \
    RUST_LIBRARY_PATH=/opt/djl/engines/tokenizers/libtokenizers.so \
    DJL_CACHE_DIR=/workspace/.djl.ai
# The heap from the container's memory limit, leaving most of it to libtorch's native tensors and activations.
ENV JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=40
USER 10001:10001
WORKDIR /workspace
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/finetune-operator.jar"]
CMD ["train"]
