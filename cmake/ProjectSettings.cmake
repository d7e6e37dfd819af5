# th_settings: an interface target carrying the project's warnings and
# sanitizer flags. Only our own targets link it, so dependencies' headers are
# not held to our warning level.
add_library(th_settings INTERFACE)
target_compile_options(th_settings INTERFACE -Wall -Wextra -Wpedantic)
if(TH_WERROR)
  target_compile_options(th_settings INTERFACE -Werror)
endif()
if(TH_SANITIZE)
  target_compile_options(th_settings INTERFACE -fsanitize=${TH_SANITIZE} -fno-omit-frame-pointer
                                               -fno-sanitize-recover=all)
  target_link_options(th_settings INTERFACE -fsanitize=${TH_SANITIZE})
  if(TH_SANITIZE MATCHES "undefined")
    # The vptr check needs the typeinfo of every polymorphic class it meets,
    # and SOCI's shared library keeps that of its internal statement classes
    # hidden, so binaries using it would not link. The rest of UBSan stays.
    target_compile_options(th_settings INTERFACE -fno-sanitize=vptr)
    target_link_options(th_settings INTERFACE -fno-sanitize=vptr)
  endif()
endif()
