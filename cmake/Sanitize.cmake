# MIDSTANCE_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer on every host C++ target and
# link (tools/test_sanitizers.sh, CI). UB aborts at the first report (-fno-sanitize-recover) so a
# finding fails its test instead of scrolling past; frame pointers keep ASan's stacks readable.
# One exception: the `null` check stays recoverable, because UBSan applies its suppression file
# only to recoverable checks and tools/ubsan.supp silences one null-reference idiom in Thrust;
# UBSAN_OPTIONS=halt_on_error=1 still stops at any other null finding.
# Host code only: nvcc cannot instrument device code, so the option refuses MIDSTANCE_CUDA.
option(MIDSTANCE_SANITIZE "Build host code with ASan + UBSan" OFF)
if(MIDSTANCE_SANITIZE)
  if(MIDSTANCE_CUDA)
    message(FATAL_ERROR "MIDSTANCE_SANITIZE needs -DMIDSTANCE_CUDA=OFF (device code is not instrumented)")
  endif()
  add_compile_options($<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=address,undefined>
                      $<$<COMPILE_LANGUAGE:C,CXX>:-fno-sanitize-recover=undefined>
                      $<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize-recover=null>
                      $<$<COMPILE_LANGUAGE:C,CXX>:-fno-omit-frame-pointer>)
  add_link_options(-fsanitize=address,undefined)
endif()
