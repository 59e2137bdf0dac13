/* am-server.c: placeholder until its implementation lands */
