#!/bin/sh
# Lays DJL's native libraries out in DJL's engine cache, in the folders DJL itself looks in at run time,
# so the trainer image loads them from its read-only filesystem with no download and no extraction.
#
#   install-djl-natives.sh FLAVOR JAR CACHE_DIR
#
# FLAVOR     cpu, or a CUDA build that DJL publishes for this PyTorch version (cu128 for PyTorch 2.7.1).
# JAR        the project's shaded jar: it holds the CPU libtorch, the JNI bridges and the tokenizers library.
# CACHE_DIR  the folder the image sets as ENGINE_CACHE_DIR.
#
# The CPU libtorch comes from the jar (Maven's ai.djl.pytorch:pytorch-native-cpu). DJL publishes no CUDA
# libtorch to Maven Central after PyTorch 2.5.1, so a CUDA flavor is downloaded from DJL's own
# repository, the same files and URLs DJL would fetch on first use (ai.djl.pytorch.jni.LibUtils).
set -eu

flavor=$1
jar=$2
cache=$3
classifier=linux-x86_64

# Versions as the jar records them: jni_version=2.7.1-0.36.0 and version=0.21.0-0.36.0.
jni_version=$(unzip -p "$jar" jnilib/pytorch.properties | sed -n 's/^jni_version=//p')
pytorch_version=${jni_version%%-*}
djl_version=${jni_version#*-}
tokenizers_version=$(unzip -p "$jar" native/lib/tokenizers.properties | sed -n 's/^version=//p')
[ -n "$pytorch_version" ] && [ -n "$djl_version" ] && [ -n "$tokenizers_version" ] \
  || { echo "no DJL version properties in $jar" >&2; exit 1; }

torch_dir=$cache/pytorch/$pytorch_version-$flavor-$classifier
mkdir -p "$torch_dir"
case $flavor in
  cpu)
    unzip -j -o -q "$jar" "pytorch/cpu/$classifier/*" -d "$torch_dir"
    ;;
  cu*)
    base=https://publish.djl.ai/pytorch/$pytorch_version
    curl -fsSL "$base/files.txt" | grep "^$flavor/$classifier/native/lib/" > /tmp/files.txt \
      || { echo "DJL publishes no $flavor build of PyTorch $pytorch_version" >&2; exit 1; }
    while read -r file; do
      name=$(basename "$file" .gz)
      name=$(printf '%b' "$(printf '%s' "$name" | sed 's/%/\\x/g')")   # URL-decoded, as DJL does
      curl -fsSL "$base/$file" | gunzip > "$torch_dir/$name"
    done < /tmp/files.txt
    rm /tmp/files.txt
    ;;
  *)
    echo "unknown FLAVOR '$flavor': use cpu or a CUDA build such as cu128" >&2; exit 1
    ;;
esac
[ -f "$torch_dir/libtorch.so" ] || { echo "no libtorch.so for $flavor in $torch_dir" >&2; exit 1; }

# The JNI bridge, named as DJL caches it.
unzip -p "$jar" "jnilib/$classifier/$flavor/libdjl_torch.so" > "$torch_dir/$djl_version-libdjl_torch.so"
[ -s "$torch_dir/$djl_version-libdjl_torch.so" ] || { echo "the jar has no JNI bridge for $flavor" >&2; exit 1; }

# The Hugging Face tokenizers library (CPU only, whatever the flavor).
tokenizers_dir=$cache/tokenizers/$tokenizers_version-cpu-$classifier
mkdir -p "$tokenizers_dir"
unzip -p "$jar" "native/lib/$classifier/cpu/libtokenizers.so" > "$tokenizers_dir/libtokenizers.so"
[ -s "$tokenizers_dir/libtokenizers.so" ] || { echo "the jar has no tokenizers library" >&2; exit 1; }
# ...and at a fixed path for RUST_LIBRARY_PATH (the image sets it): where DJL sees a GPU it looks for the CPU library
# in a sub-folder named after the CUDA architecture (e.g. .../90/ on an H100), which no install can foresee, and
# offline with a read-only cache it then fails ("Unexpected flavor: cpu"). The override skips that lookup.
cp "$tokenizers_dir/libtokenizers.so" "$cache/tokenizers/libtokenizers.so"

echo "DJL natives for $flavor (PyTorch $pytorch_version, DJL $djl_version) in $cache"
