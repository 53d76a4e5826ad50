# Install rules: cmake --install BUILD --prefix P puts
#   P/bin/diffcomp (and diffcomp-train where built), P/lib/libdiffcomp.so{,.0,.VERSION} and
#   libdiffcomp.a, libdiffcomp_extras.a, P/include/diffcomp/ (public headers only),
#   P/lib/pkgconfig/diffcomp.pc and diffcomp-extras.pc, P/lib/cmake/diffcomp/ (find_package),
#   P/share/diffcomp/models/*.dcw, P/share/man/man1/diffcomp.1, and the Python module under
#   P/lib/python3/dist-packages/diffcomp/.
# Everything is relocatable: the programs find the library through RPATH $ORIGIN, the library
# finds its models relative to itself (dladdr), and diffcomp.pc / diffcompConfig.cmake compute
# the prefix from their own location.
include(CMakePackageConfigHelpers)

set(DC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/diffcomp)
set_target_properties(diffcomp PROPERTIES INSTALL_RPATH "")
set_target_properties(diffcomp_lossy_eval diffcomp_tutorial_1d PROPERTIES INSTALL_RPATH "${DC_PROGRAM_RPATH}")

install(TARGETS diffcomp diffcomp_static diffcomp_extras EXPORT diffcompTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS diffcomp_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(DIFFCOMP_TRAINING)
  install(TARGETS diffcomp_train_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
# Public headers only (include/diffcomp/; src/ is private). train.h only where the trainer is.
install(DIRECTORY include/diffcomp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "train.h" EXCLUDE)
install(FILES models/image-lossless-adm1.dcw models/video-lossless-adm1.dcw models/image-lossy-ldm1.dcw
  models/signal-lossless-sig1.dcw models/signal-lossless-sig1a.dcw DESTINATION ${CMAKE_INSTALL_DATADIR}/diffcomp/models)
install(FILES docs/diffcomp.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# pkg-config: prefix computed from the .pc file's own place (relocatable).
file(RELATIVE_PATH DC_PC_TO_PREFIX "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" DC_PC_TO_PREFIX "${DC_PC_TO_PREFIX}")
file(RELATIVE_PATH DC_PREFIX_TO_LIBDIR "${CMAKE_INSTALL_PREFIX}" "${CMAKE_INSTALL_FULL_LIBDIR}")
file(RELATIVE_PATH DC_PREFIX_TO_INCLUDEDIR "${CMAKE_INSTALL_PREFIX}" "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
configure_file(cmake/diffcomp.pc.in ${CMAKE_BINARY_DIR}/diffcomp.pc @ONLY)
configure_file(cmake/diffcomp-extras.pc.in ${CMAKE_BINARY_DIR}/diffcomp-extras.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/diffcomp.pc ${CMAKE_BINARY_DIR}/diffcomp-extras.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package: find_package(diffcomp) gives diffcomp::diffcomp (shared), diffcomp::diffcomp_static
# and diffcomp::extras.
install(EXPORT diffcompTargets NAMESPACE diffcomp:: DESTINATION ${DC_CMAKE_DIR})
configure_package_config_file(cmake/diffcompConfig.cmake.in ${CMAKE_BINARY_DIR}/diffcompConfig.cmake
  INSTALL_DESTINATION ${DC_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/diffcompConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/diffcompConfig.cmake ${CMAKE_BINARY_DIR}/diffcompConfigVersion.cmake
  DESTINATION ${DC_CMAKE_DIR})
