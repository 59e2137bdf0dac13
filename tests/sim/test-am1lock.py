#!/usr/bin/python3
# placeholder
print("1..0 # SKIP placeholder")
