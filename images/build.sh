#!/usr/bin/env bash
# Builds dtolab's images in order: base, base on NVIDIA's CUDA runtime, gpu (on the latter) and r
# (on the former), from the repository root (the build context), tagged
# <registry>/<name>:<version> with package.json's version (registry: $DTOLAB_REGISTRY, default
# ghcr.io/dtolab).
#   images/build.sh             build the four images
#   images/build.sh --push      build them, then push them
#   images/build.sh --dry-run   only print the docker commands
# Needs Docker with BuildKit (the Dockerfiles use RUN --mount). It cannot run on this project's
# development and CI machines, which have no Docker engine: there tests/images lints the
# Dockerfiles, installs each lock into a fresh environment and runs this script with --dry-run.
set -euo pipefail

registry="${DTOLAB_REGISTRY:-ghcr.io/dtolab}"
cuda_root="nvidia/cuda:12.8.1-runtime-ubuntu24.04"
push=false
dry_run=false
for arg in "$@"; do
    case "$arg" in
        --push) push=true ;;
        --dry-run) dry_run=true ;;
        -h | --help)
            sed -n '2,11p' "$0"
            exit 0
            ;;
        *)
            echo "build.sh: unknown argument '$arg' (see --help)" >&2
            exit 2
            ;;
    esac
done

cd "$(dirname "$0")/.."
version="$(python3 -c 'import json; print(json.load(open("package.json"))["version"])')"

# Prints a command as a shell would read it, then runs it unless this is a dry run.
run() {
    printf '+'
    printf ' %q' "$@"
    printf '\n'
    if [[ "$dry_run" == false ]]; then
        "$@"
    fi
}

base="$registry/base:$version"
base_cuda="$registry/base:cuda12-$version"
gpu="$registry/gpu:$version"
r="$registry/r:$version"

export DOCKER_BUILDKIT=1
run docker build --file images/base/Dockerfile --tag "$base" .
run docker build --file images/base/Dockerfile --tag "$base_cuda" \
    --build-arg "ROOT_IMAGE=$cuda_root" .
run docker build --file images/gpu/Dockerfile --tag "$gpu" --build-arg "BASE_IMAGE=$base_cuda" .
run docker build --file images/r/Dockerfile --tag "$r" --build-arg "BASE_IMAGE=$base" .

if [[ "$push" == true ]]; then
    for tag in "$base" "$base_cuda" "$gpu" "$r"; do
        run docker push "$tag"
    done
fi
