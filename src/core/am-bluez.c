/* am-bluez.c: placeholder until its implementation lands */
