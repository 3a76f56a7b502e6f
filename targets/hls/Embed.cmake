# cmake -DINPUT=file -DOUTPUT=file.inc -P Embed.cmake: the contents of INPUT
# as a C++ raw string literal, for a source file to #include.
file(READ ${INPUT} contents)
file(WRITE ${OUTPUT} "R\"muon_embed(${contents})muon_embed\"\n")
