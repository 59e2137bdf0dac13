/* am-ble-frames.c: placeholder until its implementation lands */
