//! Workflows live beside this file as .flow sources and compiled .asl.json; see tests/.
