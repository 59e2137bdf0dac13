/* am-sign-in-page.c: placeholder until its implementation lands */
