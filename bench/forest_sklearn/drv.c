/* drv.c: fits src/model/forest.c on train.txt (bench/forest_sklearn/run.sh) and prints its
 * class-1 probability for each row of test.txt. */
#include <stdio.h>
#include <stdlib.h>
#include "model/forest.h"
int main(void){ static double x[300*6],w[300],xt[2000*6]; static int y[300],yt[2000]; FILE*f=fopen("train.txt","r");
 for(int i=0;i<300;i++){double l;for(int j=0;j<6;j++)fscanf(f,"%lf",&x[i*6+j]);fscanf(f,"%lf %lf",&l,&w[i]);y[i]=(int)l;} fclose(f);
 f=fopen("test.txt","r"); for(int i=0;i<2000;i++){double l;for(int j=0;j<6;j++)fscanf(f,"%lf",&xt[i*6+j]);fscanf(f,"%lf",&l);yt[i]=(int)l;} fclose(f);
 gsl_rng*r=gsl_rng_alloc(gsl_rng_mt19937); gsl_rng_set(r,42); mfbo_forest F={0}; mfbo_forest_params p={100,0,1};
 mfbo_forest_fit(&F,&p,x,y,w,300,6,r); for(int i=0;i<2000;i++) printf("%.6f\n", mfbo_forest_proba(&F,xt+i*6)); return 0;}
