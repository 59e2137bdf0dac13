/* am-server-db.c: placeholder until its implementation lands */
