# Warnings on for our own targets; -Werror when MIDSTANCE_WERROR (CI).
function(midstance_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<BOOL:${MIDSTANCE_WERROR}>>:-Werror>
    $<$<AND:$<COMPILE_LANGUAGE:CUDA>,$<BOOL:${MIDSTANCE_WERROR}>>:-Werror=all-warnings -Xcompiler=-Wall,-Wextra,-Werror>)
endfunction()
