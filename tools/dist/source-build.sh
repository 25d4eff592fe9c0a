#!/bin/sh
# source-build.sh PACKAGE SOURCES PREFIX TRIPLE: builds Debian's source package PACKAGE as static
# archives for the GNU triplet TRIPLE (its Debian cross compiler TRIPLE-gcc, or the machine's own
# gcc when TRIPLE is the machine's) and installs headers into PREFIX/include and archives into
# PREFIX/lib/MULTIARCH, which is also where its dependencies are looked for. For what Debian ships
# no static archive of (libzip, fmt) on any architecture, and for everything on riscv64, which is
# no release architecture of Debian 12 (busybox too, for the tests' roots). The source is fetched once into SOURCES with apt-get source
# through a private list of Debian's source indexes (the machine's apt setup is left alone); a
# package already installed into PREFIX is not built again.
set -eu
[ $# -eq 4 ] || { echo "usage: source-build.sh PACKAGE SOURCES PREFIX TRIPLE" >&2; exit 2; }
package=$1 sources=$2 prefix=$3 triple=$4
for path in sources prefix; do
    eval "case \$$path in /*) ;; *) $path=\$PWD/\$$path ;; esac"
done
multiarch=$triple
[ "$triple" = i686-linux-gnu ] && multiarch=i386-linux-gnu
libdir=$prefix/lib/$multiarch
[ -f "$prefix/.built-$package" ] && exit 0
jobs=$(nproc 2>/dev/null || echo 2)

# The unpacked source tree of $package under $sources (fetched when missing).
fetch() {
    if ! [ -f "$sources/.fetched-$package" ]; then
        apt=$sources/apt
        mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$sources/$package"
        . /etc/os-release
        keyring=/usr/share/keyrings/debian-archive-keyring.gpg
        for suite in "${VERSION_CODENAME:-bookworm}" "${VERSION_CODENAME:-bookworm}-updates"; do
            echo "deb-src [signed-by=$keyring] http://deb.debian.org/debian $suite main"
        done >"$apt/sources.list"
        set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts="$apt/sources.list.d" \
            -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o APT::Sandbox::User=root
        [ -n "$(ls "$apt/lists" 2>/dev/null | grep -v partial)" ] || apt-get -qq "$@" update
        rm -rf "${sources:?}/$package" && mkdir -p "$sources/$package"
        (cd "$sources/$package" && apt-get -qq "$@" source "$package" >/dev/null)
        touch "$sources/.fetched-$package"
    fi
    tree=$(find "$sources/$package" -mindepth 1 -maxdepth 1 -type d | head -n 1)
}

# quiet COMMAND...: runs COMMAND with its output kept in $build/log, shown (its end) only on failure.
quiet() {
    "$@" >>"$build/log" 2>&1 || { tail -n 40 "$build/log" >&2; echo "source-build.sh: $package: failed: $*" >&2; exit 1; }
}

cross() {
    if [ "$triple" = "$(gcc -dumpmachine)" ]; then echo "$1"; else echo "$triple-$1"; fi
}

# cmake_build SOURCE_DIR OPTIONS...: configure, build and install a CMake project for $triple.
cmake_build() {
    src=$1
    shift
    toolchain=$build/toolchain.cmake
    cat >"$toolchain" <<CMAKE
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${triple%%-*})
set(CMAKE_C_COMPILER $(cross gcc))
set(CMAKE_CXX_COMPILER $(cross g++))
set(CMAKE_FIND_ROOT_PATH $prefix)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_LIBRARY_ARCHITECTURE $multiarch)
CMAKE
    quiet cmake -S "$src" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
        -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=OFF -DCMAKE_INSTALL_PREFIX="$prefix" \
        -DCMAKE_INSTALL_LIBDIR="lib/$multiarch" -DCMAKE_INSTALL_INCLUDEDIR=include -Wno-dev "$@"
    quiet cmake --build "$build" -j "$jobs"
    quiet cmake --install "$build"
}

fetch
build=$prefix.build/$package
rm -rf "$build" && mkdir -p "$build" "$libdir" "$prefix/include"
case "$package" in
    libzip)  # deflate only, which is all the stages use
        cmake_build "$tree" -DENABLE_COMMONCRYPTO=OFF -DENABLE_GNUTLS=OFF -DENABLE_MBEDTLS=OFF -DENABLE_OPENSSL=OFF \
            -DENABLE_WINDOWS_CRYPTO=OFF -DENABLE_BZIP2=OFF -DENABLE_LZMA=OFF -DBUILD_TOOLS=OFF \
            -DBUILD_REGRESS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_DOC=OFF ;;
    fmtlib) cmake_build "$tree" -DFMT_TEST=OFF -DFMT_DOC=OFF -DFMT_INSTALL=ON ;;
    libdeflate)  # 1.14: a plain Makefile
        cp -R "$tree"/. "$build"
        quiet make -C "$build" -j "$jobs" CC="$(cross gcc)" CFLAGS=-O2 libdeflate.a
        cp "$build/libdeflate.a" "$libdir/" && cp "$build/libdeflate.h" "$prefix/include/" ;;
    yaml-cpp) cmake_build "$tree" -DYAML_CPP_BUILD_TESTS=OFF -DYAML_CPP_BUILD_TOOLS=OFF -DYAML_CPP_BUILD_CONTRIB=OFF ;;
    utf8proc) cmake_build "$tree" -DUTF8PROC_ENABLE_TESTING=OFF ;;
    nlohmann-json3) cp -R "$tree/single_include/nlohmann" "$prefix/include/" ;;  # one header
    busybox)  # a static busybox in PREFIX/bin, for the tests' roots (upstream's defconfig, but tc, which
        # no longer builds against the kernel's headers)
        cp -R "$tree"/. "$build"
        quiet make -C "$build" defconfig
        sed -i 's/^# CONFIG_STATIC is not set/CONFIG_STATIC=y/; s/^CONFIG_TC=y/# CONFIG_TC is not set/' "$build/.config"
        quiet make -C "$build" -j "$jobs" CROSS_COMPILE="$(cross "")" busybox
        mkdir -p "$prefix/bin" && cp "$build/busybox" "$prefix/bin/" ;;
    zlib)
        cp -R "$tree"/. "$build"
        cd "$build"
        quiet env CHOST="$triple" CFLAGS=-O2 ./configure --static --prefix="$prefix"
        quiet make -j "$jobs" libz.a
        cp libz.a "$libdir/" && cp zlib.h zconf.h "$prefix/include/" ;;
    elfutils)  # libelf alone, with the zlib built here
        cd "$build"
        quiet "$tree/configure" --host="$triple" --prefix="$prefix" --disable-debuginfod --disable-libdebuginfod \
            --without-bzlib --without-lzma --without-zstd --disable-nls CC="$(cross gcc)" CPPFLAGS="-I$prefix/include" \
            LDFLAGS="-L$libdir"
        quiet make -C lib -j "$jobs"
        quiet make -C libelf -j "$jobs" libelf.a
        cp libelf/libelf.a "$libdir/"
        cp "$tree/libelf/libelf.h" "$tree/libelf/gelf.h" "$tree/libelf/nlist.h" "$prefix/include/" ;;
    openssl)  # libcrypto alone
        case "$triple" in
            riscv64-*) target=linux64-riscv64 ;;
            *) echo "source-build.sh: no OpenSSL target is known for $triple" >&2; exit 2 ;;
        esac
        cp -R "$tree"/. "$build"
        cd "$build"
        # Debian's own directories, which the library names: not the build folder's.
        quiet ./Configure "$target" --cross-compile-prefix="$triple-" no-shared no-tests no-module no-dso no-engine \
            --prefix=/usr --openssldir=/usr/lib/ssl
        quiet make -j "$jobs" build_generated
        quiet make -j "$jobs" libcrypto.a
        cp libcrypto.a "$libdir/" && cp -R include/openssl "$prefix/include/" ;;
    *) echo "source-build.sh: no recipe for $package" >&2; exit 2 ;;
esac
cd /
rm -rf "$build"
touch "$prefix/.built-$package"
