#!/usr/bin/env bash
# Build a parallel gap_fit (QUIP + GAP) from a source tree you provide.
#
# Usage:
#   scripts/build_gap_fit.sh SOURCE_DIR PREFIX FLAVOUR [JOBS]
#
#   SOURCE_DIR  a QUIP source tree with GAP in src/GAP (and its soap_turbo submodule in
#               src/GAP/soap_turbo) and FoX in src/fox: a recursive clone of
#               https://github.com/libAtoms/QUIP, or the four repositories exported by
#               hand. It is never modified: the build runs on a copy.
#   PREFIX      where to install; gap_fit lands in PREFIX/bin, the build tree in
#               PREFIX/build (delete it to rebuild from scratch).
#   FLAVOUR     openmp  shared-memory threads (OMP_NUM_THREADS) with OpenMP OpenBLAS;
#               mpi     MPI ranks + ScaLAPACK (Klawohn et al., JCP 159, 174108 (2023)),
#                       also OpenMP-enabled; run as `mpirun -np N PREFIX/bin/gap_fit ...`.
#   JOBS        parallel make jobs (default 2).
#
# Needs Debian/Ubuntu packages only (nothing is downloaded at build or run time):
#   apt-get install gfortran make libopenblas-dev libopenblas0-openmp \
#                   openmpi-bin libopenmpi-dev libscalapack-openmpi-dev
#
# Idempotent: running it again reuses the build tree and only rebuilds what changed; the
# install step overwrites PREFIX/bin/gap_fit. Compiles run under `nice -n 19`.
# Writes PREFIX/BUILD_INFO (flavour, sources, libraries) for the record.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

if [[ $# -lt 3 || $# -gt 4 ]]; then
    usage >&2
    exit 2
fi
SRC=$(realpath "$1")
PREFIX=$(realpath -m "$2")
FLAVOUR=$3
JOBS=${4:-2}

die() { echo "build_gap_fit.sh: $*" >&2; exit 1; }

[[ -f "$SRC/Makefile" && -d "$SRC/src/libAtoms" ]] \
    || die "$SRC is not a QUIP source tree (no Makefile and src/libAtoms); pass the QUIP root"
[[ -f "$SRC/src/GAP/gap_fit.F90" || -f "$SRC/src/GAP/gap_fit.f95" ]] \
    || die "no GAP sources in $SRC/src/GAP; put https://github.com/libAtoms/GAP there"
[[ -f "$SRC/src/GAP/soap_turbo/src/soap_turbo.f90" ]] \
    || die "no soap_turbo sources in $SRC/src/GAP/soap_turbo (a submodule of GAP): put https://github.com/libAtoms/soap_turbo there"
[[ -f "$SRC/src/fox/configure" ]] \
    || die "no FoX sources in $SRC/src/fox; put https://github.com/libAtoms/fox there"

LIBDIR=/usr/lib/x86_64-linux-gnu
OPENBLAS_OMP=$LIBDIR/openblas-openmp
need() { command -v "$1" >/dev/null || die "$1 not found: apt-get install $2"; }
need gfortran gfortran
need make make
[[ -e $OPENBLAS_OMP/libopenblas.so.0 ]] \
    || die "no OpenMP OpenBLAS in $OPENBLAS_OMP: apt-get install libopenblas0-openmp libopenblas-dev"
[[ -e $LIBDIR/libopenblas.so ]] || die "no libopenblas.so: apt-get install libopenblas-dev"

# Link OpenBLAS's OpenMP variant explicitly (rpath), whatever the system alternative says:
# the pthread variant would oversubscribe the cores inside gap_fit's OpenMP regions.
BLAS="-L$OPENBLAS_OMP -Wl,-rpath,$OPENBLAS_OMP -l:libopenblas.so.0"
case "$FLAVOUR" in
    openmp)
        ARCH=linux_x86_64_gfortran_openmp
        MATH="$BLAS"
        SCALAPACK=0
        ;;
    mpi)
        need mpif90 "openmpi-bin libopenmpi-dev"
        need mpirun openmpi-bin
        [[ -e $LIBDIR/libscalapack-openmpi.so ]] \
            || die "no ScaLAPACK for OpenMPI: apt-get install libscalapack-openmpi-dev"
        ARCH=linux_x86_64_gfortran_openmpi+openmp
        MATH="-lscalapack-openmpi $BLAS"
        SCALAPACK=1
        ;;
    *) die "FLAVOUR must be openmp or mpi, not '$FLAVOUR'" ;;
esac

BUILD=$PREFIX/build/QUIP
mkdir -p "$BUILD" "$PREFIX/bin"
# Copy the sources (only newer files on a rerun); build products stay in the copy.
cp -a -u "$SRC/." "$BUILD/"

# A version stamp for gap_fit's output, when the sources are not a git checkout.
if [[ ! -s $BUILD/src/GAP/GAP_VERSION && ! -e $BUILD/src/GAP/.git ]]; then
    stat -c %Y "$BUILD/src/GAP/gap_fit_module.F90" 2>/dev/null >"$BUILD/src/GAP/GAP_VERSION" \
        || echo 0 >"$BUILD/src/GAP/GAP_VERSION"
fi

BUILDDIR=$BUILD/build/$ARCH
mkdir -p "$BUILDDIR"
# Answers to `make config`, given non-interactively: GAP (with the non-commercial
# descriptors, e.g. soap), QR solver, ScaLAPACK for MPI; everything else off.
cat >"$BUILDDIR/Makefile.inc.new" <<EOF
# written by phonogap scripts/build_gap_fit.sh ($FLAVOUR)
MATH_LINKOPTS=$MATH
PYTHON=python3
PIP=pip
EXTRA_LINKOPTS=
HAVE_CP2K=0
HAVE_VASP=0
HAVE_TB=0
HAVE_PRECON=1
HAVE_LOTF=0
HAVE_ONIOM=0
HAVE_LOCAL_E_MIX=0
HAVE_QC=0
HAVE_GAP=1
HAVE_DESCRIPTORS_NONCOMMERCIAL=1
HAVE_QR=1
HAVE_SCALAPACK=$SCALAPACK
HAVE_THIRDPARTY=0
HAVE_FX=0
HAVE_SCME=0
HAVE_MTP=0
HAVE_MBD=0
HAVE_TTM_NF=0
HAVE_CH4=0
HAVE_NETCDF4=0
HAVE_MDCORE=0
HAVE_ASAP=0
HAVE_CGAL=0
HAVE_METIS=0
HAVE_LMTO_TBE=0
SIZEOF_FORTRAN_T=2
# GAP since 2025 names its sources .F90 and puts -frealloc-lhs in CUSTOM_F90FLAGS, which
# the Makefile.rules of QUIP's public branch (suffixes .f95/.f90, CUSTOM_F95FLAGS) do not
# know: give them both (harmless where QUIP already does).
CUSTOM_F95FLAGS += \${CUSTOM_F90FLAGS}
.SUFFIXES: .F90
.F90.o:
	\${F95} \${F95FLAGS} -c \$< -o \$@
EOF
# Replace only if changed, so a rerun does not rebuild everything.
if ! cmp -s "$BUILDDIR/Makefile.inc.new" "$BUILDDIR/Makefile.inc" 2>/dev/null; then
    mv "$BUILDDIR/Makefile.inc.new" "$BUILDDIR/Makefile.inc"
else
    rm "$BUILDDIR/Makefile.inc.new"
fi

LOG=$PREFIX/build/build-$FLAVOUR.log
echo "building $FLAVOUR gap_fit in $BUILD (log: $LOG)"
(
    cd "$BUILD"
    export QUIP_ARCH=$ARCH
    # Only the libraries gap_fit needs, then the GAP programs (gap_fit). QUIP's Fortran
    # module dependencies are not always -j safe: a failed parallel step is rerun serially.
    for target in libAtoms GAP Potentials Utils GAPFIT gap_programs; do
        nice -n 19 make -j"$JOBS" "$target" || nice -n 19 make "$target"
    done
) >"$LOG" 2>&1 || { tail -n 30 "$LOG" >&2; die "build failed; full log in $LOG"; }

install -m 755 "$BUILDDIR/gap_fit" "$PREFIX/bin/gap_fit"
{
    echo "flavour: $FLAVOUR"
    echo "quip_arch: $ARCH"
    echo "source: $SRC"
    echo "gap_version: $(cat "$BUILD/src/GAP/GAP_VERSION")"
    echo "math_linkopts: $MATH"
    echo "compiler: $(gfortran --version | head -n 1)"
    [[ $FLAVOUR == mpi ]] && echo "mpi: $(mpirun --version 2>/dev/null | head -n 1)"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$PREFIX/BUILD_INFO"
echo "installed $PREFIX/bin/gap_fit"
ldd "$PREFIX/bin/gap_fit" | grep -E 'openblas|scalapack|mpi|gomp' || true
