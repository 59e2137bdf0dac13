/* am-ble-session.c: placeholder until its implementation lands */
