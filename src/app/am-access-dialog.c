/* am-access-dialog.c: placeholder until its implementation lands */
