/* am-sync.c: placeholder until its implementation lands */
