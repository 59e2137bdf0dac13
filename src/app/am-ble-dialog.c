/* am-ble-dialog.c: placeholder until its implementation lands */
