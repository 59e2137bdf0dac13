/* am-property-row.c: placeholder until its implementation lands */
