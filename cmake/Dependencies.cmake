# Every dependency comes from Debian's packages (tools/install-deps.sh); nothing is downloaded.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs videoio calib3d)
find_package(HDF5 REQUIRED COMPONENTS C)
find_package(CLI11 CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(toml11 CONFIG REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)

# Thrust for the CPU twin of the kernels. Prefer the CUDA toolkit's CCCL so both backends are
# built from the same Thrust; fall back to Debian's libthrust-dev on machines without CUDA.
set(MIDSTANCE_THRUST_INCLUDE_DIR "" CACHE PATH "Folder holding thrust/ (empty: autodetect)")
if(NOT MIDSTANCE_THRUST_INCLUDE_DIR)
  get_filename_component(_nvcc_bin "${MIDSTANCE_NVCC}" DIRECTORY)
  find_path(MIDSTANCE_THRUST_FOUND_DIR thrust/version.h
    HINTS "${_nvcc_bin}/../include/cccl" "${_nvcc_bin}/../include"
    PATHS /usr/local/cuda/include/cccl /usr/include
    NO_DEFAULT_PATH)
  set(MIDSTANCE_THRUST_INCLUDE_DIR "${MIDSTANCE_THRUST_FOUND_DIR}" CACHE PATH "Folder holding thrust/" FORCE)
endif()
if(NOT EXISTS "${MIDSTANCE_THRUST_INCLUDE_DIR}/thrust/version.h")
  message(FATAL_ERROR "Thrust headers not found: run tools/install-deps.sh (libthrust-dev)")
endif()
message(STATUS "midstance: Thrust for the CPU backend from ${MIDSTANCE_THRUST_INCLUDE_DIR}")
