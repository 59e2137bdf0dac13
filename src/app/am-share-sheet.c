/* am-share-sheet.c: placeholder until its implementation lands */
