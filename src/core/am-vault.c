/* am-vault.c: placeholder until its implementation lands */
