/* am-property-page.c: placeholder until its implementation lands */
