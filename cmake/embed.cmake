# Turns a text file into a C++ raw string literal (included by one .cc file).
file(READ ${IN} CONTENT)
string(FIND "${CONTENT}" ")GHEMBED\"" bad)
if(NOT bad EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter")
endif()
file(WRITE ${OUT}.tmp "R\"GHEMBED(${CONTENT})GHEMBED\"\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
