"""The science behind dtolab's what-if processes, as plain array functions (tested on worked cases).

Each module names the method it implements and its source; the OGC processes wrap these.
"""
