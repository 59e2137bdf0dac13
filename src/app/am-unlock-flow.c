/* am-unlock-flow.c: placeholder until its implementation lands */
