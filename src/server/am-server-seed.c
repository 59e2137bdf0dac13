/* am-server-seed.c: placeholder until its implementation lands */
