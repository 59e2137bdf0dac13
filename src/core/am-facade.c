/* am-facade.c: placeholder until its implementation lands */
